/** The files that may name an HTTP exception: controllers, guards, pipes, filters, decorators... */
export declare const HTTP_EDGE: string[];
/** What the rule says when it refuses an HTTP exception below the edge. */
export declare const HTTP_EXCEPTION_MESSAGE: string;
/** The no-restricted-syntax entry that refuses an import named `...Exception`. */
export declare const httpExceptionSelector: { selector: string; message: string };
