package dev.warden.platform.system;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a request-body string field as free text that may span lines: tab, line feed and
 * carriage return are accepted in it; every other control character is still refused
 * ({@link InputRules#textProblem}). Without it a string is one line.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD })
public @interface MultilineText {

}
