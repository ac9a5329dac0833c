-- One database per service that owns data (run once, when the Postgres volume is created).
-- The schema inside each comes from that service's migrations, never from here.
CREATE DATABASE wt_ingest;
CREATE DATABASE wt_profiles;
CREATE DATABASE wt_scoring;
CREATE DATABASE wt_dispatcher;
CREATE DATABASE wt_assistant;
-- The key vault (per-person keys that seal phone numbers), reached by ingest, profiles, dispatcher and assistant.
CREATE DATABASE wt_vault;
