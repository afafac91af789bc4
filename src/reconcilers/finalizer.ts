/** The controller's finalizer: set before the first AWS create, removed once cleanup is done. */

/** Finalizer name on every record the controller has created AWS resources for. */
export const CONTROLLER_FINALIZER = "fargate-operator/cleanup";
