package dev.warden.platform.routing;

/**
 * A check that every direct change of a model's routing (the admin API's canary, promote,
 * rollback, reset and pin calls) passes before it is stored. Implemented by the modules
 * that govern routing (promotion: changes of the stable version and canary increases may
 * need an approved request); routing itself knows no policy. A guard is asked inside the
 * change's transaction, with the routing before and after the change: it refuses by
 * throwing (the transaction is rolled back, nothing is stored or audited). Changes
 * applied through {@link ModelRouting#applyApproved} were approved by the module that
 * asks for them and are not checked.
 */
public interface RoutingGuard {

	/**
	 * Refuses a change by throwing an {@link dev.warden.platform.system.ApiException};
	 * returns normally to let it through.
	 */
	void check(RoutingChange change);

}
