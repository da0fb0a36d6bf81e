/**
 * Model cards: one per model version, with the Model Card Toolkit's sections; the edited
 * sections are versioned and audited, the quantitative analysis is filled from the
 * version's reports; exported as JSON and PDF with the EU AI Act Annex IV mapping.
 * docs/governance.md.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Model cards")
package dev.warden.platform.modelcard;
