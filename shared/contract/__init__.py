"""The contract services share: events, job config, templates, ids, streams, and the text rules
two stages must apply alike."""
