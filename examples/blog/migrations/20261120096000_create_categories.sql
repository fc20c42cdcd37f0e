-- Reference tables that the seeds fill (seeds/010_roles.lua, seeds/020_categories.lua).
-- tide:up
CREATE TABLE roles (
  name VARCHAR(20) PRIMARY KEY,
  description VARCHAR(200) NOT NULL,
  level INTEGER NOT NULL
);

CREATE TABLE categories (
  slug VARCHAR(40) PRIMARY KEY,
  title VARCHAR(100) NOT NULL,
  position INTEGER NOT NULL,
  visible BOOLEAN NOT NULL DEFAULT TRUE
);

-- tide:down
DROP TABLE categories;
DROP TABLE roles;
