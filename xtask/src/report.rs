//! Gate results as a table, JSON, GitHub annotations and a job summary.
