"""Which exercise is being done, frame by frame: `recognise(track)` (formcheck.recognition.recognise).

Built on what the exercise modules already know (each one's position test, run on a few frames a
second) and a small nearest-neighbour model over body-shape features (`features.py`, trained by
`train.py` on the labelled tracks), smoothed into sets with a minimum duration (`sets.py`).
"""
