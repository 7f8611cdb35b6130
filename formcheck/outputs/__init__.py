"""Stage 4, verdicts to what people see and programs read: report.json, frames.csv and the
terminal table (report), timeline.png (timeline), the drawn frame (overlay), the annotated video
(video, annotate) and spoken cues (audio). Outputs take judged data; they never run a session."""
