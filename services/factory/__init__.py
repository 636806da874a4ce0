"""Factory: turns chunks into training examples with an LLM and prompt templates."""
