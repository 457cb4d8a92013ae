"""The CRM itself: models, database, services, queries. Never imports Textual."""
