"""Stage 1, frames to landmarks: where frames come from (sources, capture), the pose model
(models, modelbuild, pose), the landmark track and its cache (track, cache), smoothing, and the
one frame loop every front door drives (flow)."""
