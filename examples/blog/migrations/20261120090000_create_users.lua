-- A Lua migration: it can look at the database it runs on and adapt its SQL.
local id_column = {
  postgres = "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
  mysql = "id BIGINT AUTO_INCREMENT PRIMARY KEY",
}

return {
  description = "create the users table",
  up = function(db)
    local id = id_column[db.dialect] or "id INTEGER PRIMARY KEY"
    db:exec(([[
      CREATE TABLE users (
        %s,
        email VARCHAR(255) NOT NULL UNIQUE,
        name VARCHAR(255) NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
      )
    ]]):format(id))
    tide.log("created users on %s", db.dialect)
  end,
  down = function(db)
    db:exec [[DROP TABLE users]]
  end,
}
