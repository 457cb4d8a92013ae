"""Every key binding id of the app, for checking ``[keymap]`` without importing Textual.

The settings file remaps keys by binding id (``"board.won" = "W"``). Textual ignores an
id it does not know, so a typo would remap nothing, silently. The settings are read before
(and without) the app's screens, so their ids are listed here, and a test compares the
list with the ``Binding(id=...)`` of every screen and widget: a new binding cannot be
missed.
"""

from __future__ import annotations

__all__ = ["BINDING_IDS"]

# scope: the names after "scope." (board: board.left, board.right, ...)
_IDS: dict[str, str] = {
    "activities": (
        "done filter move_next move_next_alt move_prev move_prev_alt open plan reload search"
    ),
    "activity": "cancel save",
    "app": (
        "activities board calendar clear_filter help list next_field previous_field quit settings"
    ),
    "board": (
        "down filter filter_form first last left lost move_next move_next_alt move_pipeline "
        "move_prev move_prev_alt new_deal open page_down page_up pick_stage pipeline plan "
        "recurring reload right undo up vim_down vim_left vim_right vim_up won"
    ),
    "calendar": (
        "field filter filter_form next_day next_month next_week open_day prev_day prev_month "
        "prev_week reload today toggle_mode toggle_view vim_down vim_left vim_right vim_up"
    ),
    "card": (
        "about activities activity_delete activity_done activity_plan activity_reschedule "
        "amount_mode client comment history leave lost more_fields next_section pipeline "
        "prev_section product_add product_delete product_edit products recurring save stage won"
    ),
    "columns": "cancel down save up",
    "comment": "cancel save",
    "confirm": "cancel no yes",
    "conflict": "edit",
    "day_list": "close earlier earlier_alt later later_alt",
    "filter": "clear",
    "filter_form": "apply cancel",
    "form": "cancel save",
    "help": "close",
    "import": "back cancel next skip",
    "list": (
        "bulk clear_selection column_left column_right columns down extend_down extend_up filter "
        "first import last new_deal open page_down page_up reload search select_all sort toggle "
        "up"
    ),
    "lost": "cancel",
    "new_deal": "add_product cancel save",
    "picker": "cancel down",
    "product": "cancel save",
    "prompt": "cancel",
    "recurring": "add back delete edit pause run",
    "scenario_preview": "back",
    "scenarios": "add back delete preview run",
    "settings": (
        "back base_currency field_add field_delete field_edit field_restore field_section "
        "field_visibility layout_down layout_up pipeline_add pipeline_default pipeline_delete "
        "pipeline_down pipeline_rename pipeline_up preference_edit remap_key section_add "
        "section_delete section_rename stage_add stage_delete stage_down stage_edit stage_up "
        "to_pipelines to_stages value_add value_delete value_edit value_restore"
    ),
    "suggest": "accept accept_a back dismiss",
}

BINDING_IDS: frozenset[str] = frozenset(
    f"{scope}.{name}" for scope, names in _IDS.items() for name in names.split()
)
