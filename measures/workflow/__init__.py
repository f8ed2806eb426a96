"""The workflow leaf: what caseworkers and coordinators do in the browser. Mine
tiltak, status updates and indicator values (forms/ and views/), and the review
queue for both kinds. Uses the core (services, selectors, permissions); nothing
outside this package imports it but the URLs."""
