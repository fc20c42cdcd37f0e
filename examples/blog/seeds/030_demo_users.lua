-- Demo users and posts for development only: the env gate keeps them out of every other
-- environment, and asking for this seed by name in production is refused.
return {
  env = "development",
  run = function(db)
    db:upsert("users", {
      { email = "ada@example.com", name = "Ada", role = "admin" },
      { email = "grace@example.com", name = "Grace", role = "author" },
    }, { key = "email" })
    local ada = db:scalar("SELECT id FROM users WHERE email = ?", "ada@example.com")
    db:upsert("posts", {
      { id = 1, user_id = ada, title = "Hello, World!", slug = "hello-world", body = "The first post." },
    }, { key = "id", update = false })  -- keep edits made while trying the app
  end,
}
