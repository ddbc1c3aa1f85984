"""Help the model: the concerns it is least sure of, for a supervisor to confirm or correct."""
