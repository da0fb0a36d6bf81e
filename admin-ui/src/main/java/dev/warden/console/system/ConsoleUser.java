package dev.warden.console.system;

import java.util.List;

/**
 * The signed-in console user as pages show it.
 *
 * @param name the user name
 * @param roles the Warden roles, such as {@code ADMIN}
 */
public record ConsoleUser(String name, List<String> roles) {

	public ConsoleUser {
		roles = List.copyOf(roles);
	}

}
