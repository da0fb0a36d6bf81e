-- What the worker reports about loading each version, kept with its state by the catalogue sync: why a version
-- failed to load (state END), and the caveats of a loaded one (signatures not warmed up or not servable). Both are
-- replaced at every sync; versions the worker does not report keep their last known values.
ALTER TABLE model_versions
    ADD COLUMN load_error    text,
    ADD COLUMN load_warnings jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD CONSTRAINT model_versions_load_warnings_array CHECK (jsonb_typeof(load_warnings) = 'array');
