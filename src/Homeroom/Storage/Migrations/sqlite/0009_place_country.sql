-- The place's country (ISO 3166-1 alpha-2, capitals), for the public holidays (PH) of its opening hours.
ALTER TABLE places ADD COLUMN country TEXT;
