"""Running the service from the chat: admin commands, breach notices and broadcasts."""
