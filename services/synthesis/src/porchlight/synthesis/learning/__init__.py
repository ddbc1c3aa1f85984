"""What the model knows and how the city teaches it: taxonomy versions, corrections, model versions."""
