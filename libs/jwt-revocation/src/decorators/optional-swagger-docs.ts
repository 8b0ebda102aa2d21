type SwaggerDecorators = {
  ApiBearerAuth(): ClassDecorator & MethodDecorator;
  ApiUnauthorizedResponse(options: { description: string }): ClassDecorator & MethodDecorator;
};

/** Bearer scheme and 401 documentation, only when the app has @nestjs/swagger; nothing otherwise. */
export function applyOptionalSwaggerDocs(): Array<ClassDecorator & MethodDecorator> {
  let swagger: SwaggerDecorators;
  try {
    swagger = require('@nestjs/swagger') as SwaggerDecorators;
  } catch {
    return [];
  }
  return [
    swagger.ApiBearerAuth(),
    swagger.ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' }),
  ];
}
