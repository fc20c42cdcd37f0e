-- The production config the CI templates use: the three-line snapshot recipe on RDS.
local snap
return {
  database = tide.getenv("DATABASE_URL"),
  environment = "production",
  hooks = {
    before_migrate      = function(ctx) snap = tide.snapshot.aws_rds.create{instance = tide.getenv("RDS_INSTANCE")} end,
    after_migrate_error = function(ctx) snap:restore() end,
    after_migrate       = function(ctx) snap:drop() end,
  },
}
