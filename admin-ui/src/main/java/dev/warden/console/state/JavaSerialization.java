package dev.warden.console.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.Serializable;

/**
 * Java serialization of what the console stores in platform-api. Reading accepts only the
 * JDK's, Spring's, Nimbus' and the console's own classes (what sessions and
 * authorizations hold), nothing else, and resolves classes with the console's class
 * loader (the executable jar's).
 */
final class JavaSerialization {

	private static final ObjectInputFilter FILTER = ObjectInputFilter.Config
		.createFilter("maxdepth=64;java.**;javax.**;org.springframework.**;com.nimbusds.**;dev.warden.**;!*");

	private JavaSerialization() {
	}

	static byte[] serialize(Serializable value) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		return bytes.toByteArray();
	}

	static Object deserialize(byte[] data) throws IOException, ClassNotFoundException {
		try (ObjectInputStream in = new ConsoleObjectInputStream(new ByteArrayInputStream(data))) {
			in.setObjectInputFilter(FILTER);
			return in.readObject();
		}
	}

	private static final class ConsoleObjectInputStream extends ObjectInputStream {

		ConsoleObjectInputStream(InputStream in) throws IOException {
			super(in);
		}

		@Override
		protected Class<?> resolveClass(ObjectStreamClass description) throws IOException, ClassNotFoundException {
			try {
				return Class.forName(description.getName(), false, JavaSerialization.class.getClassLoader());
			}
			catch (ClassNotFoundException ex) {
				return super.resolveClass(description);
			}
		}

	}

}
