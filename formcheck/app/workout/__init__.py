"""`formcheck workout DAY`: a day of the plan, live, set by set.

`options` (the command line), `runner` (the day: steps, sets, sides, rests, keys, the reports),
`phases` (one set: placement check -> countdown -> the set), `placement` (is the camera right?),
`stopcue` (is the form slipping?), `records` (the workout's report.json), `display` (the window's
panels), `replay` (cached landmarks for clips replayed fast).
"""
