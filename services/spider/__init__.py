"""Spider: fetches pages politely."""
