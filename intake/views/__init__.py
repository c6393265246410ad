"""The applicant's pages: thin views over the services. Every page works without JavaScript;
htmx adds autosave (a form's changes are saved on the server half a second after they happen)
and the status page's polling. Nothing personal is ever kept in the browser
(docs/adr/0007-applicant-form-drafts-documents-joint.md)."""
