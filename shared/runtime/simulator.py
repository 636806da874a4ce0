"""What the project's LLM simulator signs its answers with, so examples it made say so."""

FINGERPRINT = "datafactory-llm-sim"
