"""The officer's back office (product.md "Interfaces"): search any reference, the dossier beside its photos,
supplement, print, verify, approve, reject, reopen, correct. These views only parse, call the counter services
and selectors (which hold every rule and write the audit events) and render.

common: the guard and what every page needs; problems: a refusal as the officer reads it; search: the search
box and the queue; correction: the correction form; dossier: the dossier page, its photos and prints;
actions: the forms that change a dossier."""
