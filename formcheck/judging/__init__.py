"""Stage 3, landmarks to verdicts: a session smooths the landmarks and asks the exercise for its
signals (session), the one state machine turns them into reps, holds and faults (judge), and the
numbers are summed up (summary)."""
