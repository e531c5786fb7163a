-- Staff bound to an area see and act only inside its subtree (DESIGN: "Staff and their area").
-- NULL = the whole centre. RESTRICT: an area that still scopes a login cannot be removed.
ALTER TABLE users ADD COLUMN area_id uuid REFERENCES areas (id) ON DELETE RESTRICT;

-- The area and every area below it: the one definition of "inside a scope" that every scoped
-- read uses (db/scope.ts). Areas are a few thousand rows at most; the recursion is cheap.
CREATE FUNCTION area_subtree(root uuid) RETURNS SETOF uuid LANGUAGE sql STABLE AS $$
  WITH RECURSIVE sub AS (
    SELECT id FROM areas WHERE id = root
    UNION ALL
    SELECT a.id FROM areas a JOIN sub ON a.parent_id = sub.id
  )
  SELECT id FROM sub
$$;
