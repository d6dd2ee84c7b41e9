"""Stack operations beyond create and delete: update, rollback, cancel, check, suspend, resume."""
