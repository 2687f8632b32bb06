//! What release and rollback will do, as data: shown by `--dry-run`, executed by `apply`.
