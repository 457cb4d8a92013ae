"""dealterm: a keyboard-first terminal CRM for deals."""

__version__ = "0.1.0"
