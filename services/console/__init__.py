"""The handlers' console (issue 18): staff work cases in a browser, signed in as themselves.

A web service with no business rules: it renders what intake, handling and archive answer, calls
them over gRPC with the signed-in person's token, and shows their refusals beside the fields they
name."""
