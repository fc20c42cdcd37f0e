-- Add posts.slug and fill it in for the posts that already exist. The migration runs in
-- one transaction (the default), so the new column and its values appear together.

-- "Hello, World!" -> "hello-world" (bytes of UTF-8 letters are kept as they are)
local function slugify(title)
  local s = title:lower():gsub("[^%w\128-\255]+", "-"):gsub("^-+", ""):gsub("-+$", "")
  if s == "" then s = "post" end
  return s
end

return {
  description = "add posts.slug and backfill it from the titles",
  up = function(db)
    db:exec [[ALTER TABLE posts ADD COLUMN slug VARCHAR(220)]]

    -- Read every post first: starting another statement would end the db:rows loop.
    local pending = {}
    for post in db:rows("SELECT id, title FROM posts WHERE slug IS NULL ORDER BY id") do
      pending[#pending + 1] = post
    end

    -- Values are bound parameters, never spliced into the SQL. db:transaction is a
    -- savepoint here, because the migration's own transaction is already open.
    local taken = {}
    db:transaction(function()
      for _, post in ipairs(pending) do
        local slug = slugify(post.title)
        if taken[slug] then slug = slug .. "-" .. post.id end
        taken[slug] = true
        db:exec("UPDATE posts SET slug = ? WHERE id = ?", slug, post.id)
      end
    end)

    local missing = db:scalar("SELECT count(*) FROM posts WHERE slug IS NULL")
    assert(tonumber(missing) == 0, "some posts still have no slug")
    tide.log("backfilled %d post slugs", #pending)
  end,
  down = function(db)
    db:exec [[ALTER TABLE posts DROP COLUMN slug]]
  end,
}
