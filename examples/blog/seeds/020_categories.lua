-- A larger reference table kept as CSV (seeds/data/categories.csv), streamed row by row.
-- The header names the columns; `types` converts the text of the file.
return {
  run = function(db)
    db:load_csv("categories", "seeds/data/categories.csv", {
      key = "slug",
      types = { position = "integer", visible = "boolean" },
    })
  end,
}
