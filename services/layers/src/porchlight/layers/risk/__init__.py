"""Place risk: GET /v1/risk serves a district's risk terrain (``terrain``, the estimator) fitted
on the records layers holds, with the records and residents' concerns behind its sentences."""
