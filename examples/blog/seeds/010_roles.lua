-- Reference data for every environment: the roles a user can have. db:upsert makes the
-- seed idempotent: a second run changes nothing, and editing a level here updates just
-- that row the next time `tide seed` runs (the file's checksum changed).
return {
  description = "the roles users can have",
  run = function(db)
    local result = db:upsert("roles", {
      { name = "admin", description = "manages everything", level = 100 },
      { name = "editor", description = "edits and publishes any post", level = 50 },
      { name = "author", description = "writes their own posts", level = 10 },
      { name = "reader", description = "reads and comments", level = 0 },
    }, { key = { "name" } })  -- update = "all" (the default): every other column
    tide.log("roles: %d new, %d updated", result.inserted, result.updated)
  end,
}
