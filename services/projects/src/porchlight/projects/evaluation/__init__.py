"""DICE step 5, evaluate: how a priority's projects went, and its outcome measure before and after."""
