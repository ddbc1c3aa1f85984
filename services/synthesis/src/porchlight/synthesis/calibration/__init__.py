"""The model's calibration as this city's synthesis uses it (fitted on its corrections, or the one
shipped with the model), and its announcement to readers that estimate topic counts (service.py)."""
