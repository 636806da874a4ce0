"""Inspector: quality checks and the score threshold."""
