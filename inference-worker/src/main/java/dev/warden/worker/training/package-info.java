/**
 * Training of the reference models {@code income} and {@code spam} with TensorFlow Java
 * and their export into the model store; the {@code train} command.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Training")
package dev.warden.worker.training;
