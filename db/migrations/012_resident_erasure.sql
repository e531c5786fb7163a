-- Erasure on request (issue 11, data lifecycle): a resident's personal fields are removed
-- everywhere they were copied, while the response-time facts stay (db/queries/resident-data.ts).
-- The row stays (alarms and facts refer to it), marked erased, and cannot be erased twice.
ALTER TABLE residents ADD COLUMN erased_at timestamptz;

-- `t` with every one of `secrets` replaced by '[erased]'. The caller passes them longest first,
-- so a phone number inside a longer value goes whole.
CREATE FUNCTION erase_text(t text, secrets text[]) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  s text;
BEGIN
  IF t IS NULL OR secrets IS NULL THEN
    RETURN t;
  END IF;
  FOREACH s IN ARRAY secrets LOOP
    IF s <> '' THEN
      t := replace(t, s, '[erased]');
    END IF;
  END LOOP;
  RETURN t;
END
$$;

-- The same for every string value inside a JSON document, at any depth (keys and the shape stay,
-- so what the readers parse still parses).
CREATE FUNCTION erase_jsonb(j jsonb, secrets text[]) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF j IS NULL THEN
    RETURN NULL;
  END IF;
  CASE jsonb_typeof(j)
    WHEN 'string' THEN
      RETURN to_jsonb(erase_text(j #>> '{}', secrets));
    WHEN 'object' THEN
      RETURN COALESCE((SELECT jsonb_object_agg(e.k, erase_jsonb(e.v, secrets)) FROM jsonb_each(j) AS e(k, v)), '{}'::jsonb);
    WHEN 'array' THEN
      RETURN COALESCE((SELECT jsonb_agg(erase_jsonb(e.v, secrets) ORDER BY e.i) FROM jsonb_array_elements(j) WITH ORDINALITY AS e(v, i)), '[]'::jsonb);
    ELSE
      RETURN j;
  END CASE;
END
$$;
