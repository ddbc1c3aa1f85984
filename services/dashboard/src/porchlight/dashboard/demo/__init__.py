"""The demo city's quarter (``porchlight demo load``; ``make run`` loads it into an empty database).

Everything enters through the services' own HTTP APIs — meetings, notes and contacts through
intake, priorities and projects through projects, incidents through layers' import —
so the same events flow as in real use. Resident texts are real (resident_texts.csv, see
TEXTS_LICENSE.md); who said them, where and when, and the incidents, are synthetic.
"""
