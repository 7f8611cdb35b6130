"""The tuning lab: labelled clips (labels, samples), synthetic landmark tracks (synthetic) and the
notebooks' helpers (tuning). Built on the public stages; no rule lives here."""
