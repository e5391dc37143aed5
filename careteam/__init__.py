"""The care-team core: users, teams, roles, care-team assignments, access, audit, staff tasks."""
