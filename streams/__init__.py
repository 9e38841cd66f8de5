"""Stream processing: Faust workers that understand feedback and detect what matters."""
