import { loadOptionalPeer } from '../optional-peers/load-optional-peer';

type SwaggerDecorators = {
  ApiBearerAuth(): ClassDecorator & MethodDecorator;
  ApiUnauthorizedResponse(options: { description: string }): ClassDecorator & MethodDecorator;
};

/** Bearer scheme and 401 documentation, only when the app has @nestjs/swagger; nothing otherwise. */
export function applyOptionalSwaggerDocs(): Array<ClassDecorator & MethodDecorator> {
  const swagger = loadOptionalPeer<SwaggerDecorators>('@nestjs/swagger');
  if (!swagger) return [];
  return [
    swagger.ApiBearerAuth(),
    swagger.ApiUnauthorizedResponse({ description: 'Missing, invalid, expired or revoked access token' }),
  ];
}
