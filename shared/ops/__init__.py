"""What operators read and keep: metrics, stream figures, job totals, the log's archive and
retention."""
