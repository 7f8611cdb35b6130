"""The front doors: the command line (cli), recorded videos (analyze), the webcam (live),
scoring against labelled clips (evaluate). Each picks its sources and sinks and drives the flow."""
