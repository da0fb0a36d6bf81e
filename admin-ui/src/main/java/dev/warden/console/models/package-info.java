/**
 * The models pages: the model list (paged, with each model's routing, grants and states,
 * and the upload of a new model's first version) and one model with its versions (state
 * on every worker, signatures, digest, uploader; followed live while the worker validates
 * a new upload), the upload of a version, its grants and its routing (canary with its
 * weight, promote, rollback, reset, pins). Every change is confirmed on a page that says
 * what it does. Everything comes from platform-api's admin API through {@code adminapi};
 * platform-api decides who may do what, the pages only hide the forms a role cannot use.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Models")
package dev.warden.console.models;
